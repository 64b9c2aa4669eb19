"""Response operations as SimPy processes: evacuation, shelters, logistics."""
