package org.gaplab.datasets.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/**
 * A dense numeric array read from a file: its shape, its values in row-major (C) order as
 * doubles (exact for float32, float64, int32 and for int64 up to 2^53), the dtype it was stored
 * in, and the file it came from (for error messages).
 */
public final class Matrix {
    private final String source;
    private final long[] shape;
    private final double[] data;
    private final String dtype;

    /**
     * @param source the file (and array name) it came from
     * @param shape its shape; the product must equal {@code data.length}
     * @param data values in row-major order
     * @param dtype the stored dtype, e.g. "float32"
     */
    public Matrix(String source, long[] shape, double[] data, String dtype) {
        long count = 1;
        for (long s : shape) {
            count *= s;
        }
        if (count != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not hold " + data.length + " values");
        }
        this.source = source;
        this.shape = shape.clone();
        this.data = data;
        this.dtype = dtype;
    }

    /** @return where it came from, e.g. {@code emb.npz:image} */
    public String source() {
        return source;
    }

    /** @return a copy of the shape */
    public long[] shape() {
        return shape.clone();
    }

    /** @return the number of axes */
    public int rank() {
        return shape.length;
    }

    /** @return the length of the first axis (1 for a scalar) */
    public int rows() {
        return shape.length == 0 ? 1 : (int) shape[0];
    }

    /** @return the product of all axes but the first (1 for a vector) */
    public int cols() {
        return shape.length == 0 ? 1 : data.length / Math.max(1, rows());
    }

    /** @return the values in row-major order (not copied: do not modify) */
    public double[] data() {
        return data;
    }

    /** @return the stored dtype */
    public String dtype() {
        return dtype;
    }

    /**
     * Checks that this is a non-empty {@code [rows, cols]} matrix.
     *
     * @param what what the matrix is for, e.g. "embeddings"
     * @return this
     * @throws MatrixFileException naming the file otherwise
     */
    public Matrix requireMatrix(String what) {
        if (shape.length != 2) {
            throw new MatrixFileException(source, what + " must be a 2-D array [rows, dim], got rank " + shape.length
                    + " with shape " + Arrays.toString(shape));
        }
        requireRows(what);
        if (shape[1] == 0) {
            throw new MatrixFileException(source, what + " have zero columns");
        }
        return this;
    }

    /**
     * Checks that this is a non-empty vector of integers (an index array): rank 1, or rank 2 with
     * one column.
     *
     * @param what what the vector is for, e.g. "pairs"
     * @return the values as ints
     * @throws MatrixFileException naming the file otherwise
     */
    public int[] requireIndexVector(String what) {
        if (!(shape.length == 1 || (shape.length == 2 && shape[1] == 1))) {
            throw new MatrixFileException(source, what + " must be a 1-D integer array, got shape " + Arrays.toString(shape));
        }
        requireRows(what);
        int[] out = new int[data.length];
        for (int i = 0; i < data.length; i++) {
            double v = data[i];
            if (v != Math.rint(v) || v < 0 || v > Integer.MAX_VALUE) {
                throw new MatrixFileException(source, what + " must hold non-negative integers, got " + v + " at index " + i);
            }
            out[i] = (int) v;
        }
        return out;
    }

    private void requireRows(String what) {
        if (shape[0] == 0) {
            throw new MatrixFileException(source, what + " have zero rows");
        }
    }

    /**
     * Copies the values onto a device.
     *
     * @param manager owner and device of the result
     * @param dataType float32 or float64
     * @return an array of this shape
     */
    public NDArray toNDArray(NDManager manager, DataType dataType) {
        NDArray a = manager.create(data, new Shape(shape));
        if (dataType == DataType.FLOAT64) {
            return a;
        }
        NDArray converted = a.toType(dataType, false);
        a.close();
        return converted;
    }

    @Override
    public String toString() {
        return source + " " + dtype + Arrays.toString(shape);
    }
}
