package org.gaplab.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Scalar arithmetic that is safe inside an autograd graph.
 *
 * <p>DJL's {@code NDArray.mul(Number)}, {@code div(Number)}, {@code maximum(Number)} and their
 * in-place forms wrap the number in a 0-dimensional tensor that <em>borrows</em> a Java direct
 * buffer ({@code from_blob}), apply the operation, and close the wrapper at once. When the operand
 * requires a gradient, libtorch keeps that scalar for the backward pass (a product's backward
 * multiplies by it; a maximum's backward compares with it), but nothing keeps the Java buffer: a
 * garbage collection between the forward and the backward pass frees it, and the backward reads
 * whatever the memory holds next. The symptom is rare and silent: an occasional wrong gradient (a
 * gradient-norm spike of 10^7 in one step of a gap-control run), different from process to process.
 *
 * <p>The methods here make the scalar a tensor that libtorch owns (its memory is reference-counted
 * by the graph), so the backward pass always sees the right value; {@link #atLeast} uses
 * {@code clamp}, whose bounds are stored by value. The results equal DJL's number operations bit
 * for bit: the scalar is cast to the operand's type as libtorch's type promotion would cast it.
 * Code that runs without a graph (the closed-form gradients) may keep DJL's number forms.
 */
public final class Scalars {
    private Scalars() {}

    /** @return {@code x * c}, safe under autograd */
    public static NDArray mul(NDArray x, double c) {
        try (NDArray s = owned(x, c)) {
            return x.mul(s);
        }
    }

    /** @return {@code x / c}, safe under autograd */
    public static NDArray div(NDArray x, double c) {
        try (NDArray s = owned(x, c)) {
            return x.div(s);
        }
    }

    /** @return {@code max(x, floor)} elementwise, safe under autograd (a clamp from below) */
    public static NDArray atLeast(NDArray x, double floor) {
        return x.clip(floor, Double.POSITIVE_INFINITY);
    }

    /** A 0-dimensional tensor of {@code x}'s type and device holding {@code c}, in memory libtorch owns. */
    private static NDArray owned(NDArray x, double c) {
        // zeros() allocates in libtorch; the in-place add reads DJL's borrowed scalar immediately
        // and records nothing for a backward pass (the zeros need no gradient)
        return x.getManager().zeros(new Shape(), x.getDataType(), x.getDevice()).addi(c);
    }
}
