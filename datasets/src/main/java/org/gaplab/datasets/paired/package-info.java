/**
 * Finite paired datasets: two feature tables whose rows are paired by index or many-to-one by an
 * index array, with optional class labels ({@link org.gaplab.datasets.paired.PairedData}); a seeded
 * train/evaluation split and pair corruption ({@link org.gaplab.datasets.paired.PairCorruption});
 * the {@link org.gaplab.datasets.PairedSource} that serves them from the training device
 * ({@link org.gaplab.datasets.paired.FinitePairedSource}); and the two ways to obtain one: feature
 * files ({@code data.kind: files}) and the bundled UCI digits ({@code data.kind: digits}).
 */
package org.gaplab.datasets.paired;
