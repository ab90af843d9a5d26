"""flscreen.normalize"""
