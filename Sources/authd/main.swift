print("authd")
