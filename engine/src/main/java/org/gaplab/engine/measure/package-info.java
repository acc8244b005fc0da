/**
 * The measurement layer: statistics of two embedding samples (two modalities) that estimate the
 * population-level modality gap and the terms of the theory (docs/theory.md sections 4-6).
 *
 * <p>Each statistic is a small class whose Javadoc carries its formula: {@link
 * org.gaplab.engine.measure.CentroidGap}, {@link org.gaplab.engine.measure.AngleHistogramDivergence},
 * {@link org.gaplab.engine.measure.KnnDivergence}, {@link org.gaplab.engine.measure.KnnEntropy},
 * {@link org.gaplab.engine.measure.EnergyDistance}, {@link org.gaplab.engine.measure.Mmd},
 * {@link org.gaplab.engine.measure.PermutationTest}, {@link org.gaplab.engine.measure.WangIsola},
 * {@link org.gaplab.engine.measure.Retrieval}, {@link org.gaplab.engine.measure.FullSetRetrieval},
 * {@link org.gaplab.engine.measure.Reliability}, {@link org.gaplab.engine.measure.PartitionConstant} and
 * {@link org.gaplab.engine.measure.TheoryTerms}. All pairwise work goes through {@link
 * org.gaplab.engine.measure.Pairwise}: NDArray math on the embeddings' device, chunked by rows so
 * the memory used is bounded by a budget and never O(n^2). {@link
 * org.gaplab.engine.measure.GapMeasurer} draws the independent two-sample splits, the pair
 * subsamples and their shuffle control, and assembles a {@link org.gaplab.engine.measure.GapReport}.
 *
 * <p>Estimators as a list: an {@link org.gaplab.engine.measure.Estimator} declares its name,
 * description, needs and statistics (key, unit, sample, meaning) and computes them on a
 * {@link org.gaplab.engine.measure.WholeSetContext} and/or each repeat's
 * {@link org.gaplab.engine.measure.RepeatContext}; {@link org.gaplab.engine.measure.Estimators}
 * registers them, one line each (the centroid, the angle histogram, and the published gap measures:
 * L2I, RMG, cone effect, linear separability, RankMe, gap concentration, centred two-sample
 * statistics). {@link org.gaplab.engine.measure.ShiftExperiment} is the embedding-shift experiment.
 */
package org.gaplab.engine.measure;
