"""The portfolio risk engine: a pure numeric package (NumPy/SciPy/Numba; Dask in its executor)."""
