print("tinygpt: not built yet")
