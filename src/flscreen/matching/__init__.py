"""flscreen.matching"""
