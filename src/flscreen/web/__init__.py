"""flscreen.web"""
