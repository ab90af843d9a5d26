"""flscreen.resources"""
