print("p2p")
