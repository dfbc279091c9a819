"""uspk's vocabulary: the kinds of happening, their dates, and how files become events."""
