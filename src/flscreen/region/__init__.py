"""flscreen.region"""
