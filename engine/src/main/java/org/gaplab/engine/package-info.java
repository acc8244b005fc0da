/**
 * The gaplab engine: trains run-stacked dual encoders with DJL's PyTorch engine on one device and
 * measures the geometry of their embeddings. One package per concept: {@code device}, {@code loss},
 * {@code optim}, {@code config}, {@code train}, {@code checkpoint}, {@code measure},
 * {@code report}, {@code experiment}, {@code cli}.
 */
package org.gaplab.engine;
