"""flscreen.supply"""
