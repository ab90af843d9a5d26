"""flscreen.policy"""
