"""flscreen.api"""
