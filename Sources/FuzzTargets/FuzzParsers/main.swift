import FuzzSupport

FuzzSupport.main(target: "FuzzParsers", check: ParsersCheck.check)
