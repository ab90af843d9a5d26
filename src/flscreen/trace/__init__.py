"""flscreen.trace"""
