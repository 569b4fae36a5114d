print("p2pd")
