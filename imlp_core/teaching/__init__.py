"""Teaching: the exercises' checks (each against the conversions, naming the mistake) and the assignment
tooling (`make exercises`, offline grading).
"""
