print("authbench")
