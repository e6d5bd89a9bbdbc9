import FuzzSupport

FuzzSupport.main(target: "FuzzEncode", check: EncodeCheck.check)
