"""flscreen.batch"""
