/**
 * Reading and writing numeric matrices a user brings (embeddings, features, index arrays):
 * NumPy {@code .npy} and {@code .npz}, and numeric CSV. Pure Java, no native code. Every reader
 * validates what it reads (dtype, rank, finiteness, size) and fails with a
 * {@link org.gaplab.datasets.io.MatrixFileException} whose one-line message names the file.
 */
package org.gaplab.datasets.io;
