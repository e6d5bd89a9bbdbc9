import FuzzSupport

FuzzSupport.main(target: "FuzzSplit", check: SplitCheck.check)
