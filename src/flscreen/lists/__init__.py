"""flscreen.lists"""
