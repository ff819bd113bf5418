print("gq")
