"""flscreen.reports"""
