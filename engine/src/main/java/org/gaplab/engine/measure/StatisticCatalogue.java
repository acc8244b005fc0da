package org.gaplab.engine.measure;

import java.util.Map;

/**
 * The catalogue of statistic descriptions: the group, one-line description, unit and sample of every
 * statistic a {@link GapReport} may hold (a lookup table; the statistics are computed elsewhere).
 */
final class StatisticCatalogue {
    private StatisticCatalogue() {}

    /**
     * @param group family of the statistic
     * @param text what it is
     */
    record Description(String group, String text) {}

    private static final Map<String, Description> ALL = Map.ofEntries(
            Map.entry("centroid_gap", new Description("centroid", "||mean(z1) - mean(z2)||, each image once")),
            Map.entry("centroid_norm_1", new Description("centroid", "||mean(z1)||, each image once")),
            Map.entry("centroid_norm_2", new Description("centroid", "||mean(z2)||")),
            Map.entry("centroid_cosine", new Description("centroid", "cosine between the two centroids")),
            Map.entry("angle_hist_jeffreys", new Description("divergence", "Jeffreys J = KL(p||q) + KL(q||p), 2-D angle histogram (paper)")),
            Map.entry("angle_hist_dsym", new Description("divergence", "D_sym = J/2 from the angle histogram")),
            Map.entry("knn_kl_12", new Description("divergence", "KL(rho1||rho2), k-NN (Wang-Kulkarni-Verdu)")),
            Map.entry("knn_kl_21", new Description("divergence", "KL(rho2||rho1), k-NN (Wang-Kulkarni-Verdu)")),
            Map.entry("knn_jeffreys", new Description("divergence", "Jeffreys J = KL12 + KL21, k-NN")),
            Map.entry("knn_dsym", new Description("divergence", "D_sym = J/2, k-NN (the theory's term)")),
            Map.entry("entropy_1", new Description("entropy", "H(rho1), Kozachenko-Leonenko k-NN")),
            Map.entry("entropy_2", new Description("entropy", "H(rho2), Kozachenko-Leonenko k-NN")),
            Map.entry("energy_distance", new Description("two-sample", "2E||X-Y|| - E||X-X'|| - E||Y-Y'|| (unbiased U-statistic)")),
            Map.entry("energy_cross_mean", new Description("two-sample", "E||X-Y||")),
            Map.entry("energy_within_1", new Description("two-sample", "E||X-X'||, modality 1, distinct draws")),
            Map.entry("energy_within_2", new Description("two-sample", "E||Y-Y'||, modality 2, distinct draws")),
            Map.entry("mmd2_rbf_0.5x", new Description("two-sample", "MMD^2 unbiased, RBF s = 0.5 x median cross distance")),
            Map.entry("mmd2_rbf_1x", new Description("two-sample", "MMD^2 unbiased, RBF s = median cross distance")),
            Map.entry("mmd2_rbf_2x", new Description("two-sample", "MMD^2 unbiased, RBF s = 2 x median cross distance")),
            Map.entry("wang_isola_alignment", new Description("wang-isola", "E_pairs ||f(x) - g(y)||^2")),
            Map.entry("wang_isola_uniformity_1", new Description("wang-isola", "log E exp(-2||z - z'||^2), modality 1, distinct draws")),
            Map.entry("wang_isola_uniformity_2", new Description("wang-isola", "log E exp(-2||z - z'||^2), modality 2, distinct draws")),
            Map.entry("pair_cosine", new Description("pairs", "mean <f(x), g(y)> over all pairs")),
            Map.entry("r1_1to2", new Description("retrieval", "recall@1, image queries over all captions (any caption of the image)")),
            Map.entry("r5_1to2", new Description("retrieval", "recall@5, image queries over all captions")),
            Map.entry("r10_1to2", new Description("retrieval", "recall@10, image queries over all captions")),
            Map.entry("r1_2to1", new Description("retrieval", "recall@1, caption queries over all images")),
            Map.entry("r5_2to1", new Description("retrieval", "recall@5, caption queries over all images")),
            Map.entry("r10_2to1", new Description("retrieval", "recall@10, caption queries over all images")),
            Map.entry("mean_rank_1to2", new Description("retrieval", "mean rank of the best caption, image queries")),
            Map.entry("median_rank_1to2", new Description("retrieval", "median rank of the best caption, image queries")),
            Map.entry("mean_rank_2to1", new Description("retrieval", "mean rank of the image, caption queries")),
            Map.entry("median_rank_2to1", new Description("retrieval", "median rank of the image, caption queries")),
            Map.entry("subsample_r1_1to2", new Description("retrieval", "recall@1 inside m-pair subsamples (inflated; not comparable)")),
            Map.entry("subsample_r5_1to2", new Description("retrieval", "recall@5 inside m-pair subsamples (inflated)")),
            Map.entry("subsample_r10_1to2", new Description("retrieval", "recall@10 inside m-pair subsamples (inflated)")),
            Map.entry("subsample_r1_2to1", new Description("retrieval", "recall@1 inside m-pair subsamples (inflated)")),
            Map.entry("subsample_r5_2to1", new Description("retrieval", "recall@5 inside m-pair subsamples (inflated)")),
            Map.entry("subsample_r10_2to1", new Description("retrieval", "recall@10 inside m-pair subsamples (inflated)")),
            Map.entry("alignment_term", new Description("theory", "A = (1/tau) E_pairs[-<f(x), g(y)>]")),
            Map.entry("energy_E", new Description("theory", "E = A - (H1 + H2)/2 - D_sym")),
            Map.entry("energy_E_plus_log_c_tau", new Description("theory", "E + ln c_tau, the sharpened limit of L_inf")),
            Map.entry("large_batch_energy", new Description("theory", "plug-in L_inf, partition field on the whole set")),
            Map.entry("log_c_tau", new Description("theory", "ln c_tau = ln int_S exp(<z,w>/tau) dw")),
            Map.entry("shift_unshifted_gap", new Description("shift", "centroid gap before any shift (measure --shift)")),
            Map.entry("shift_gap_at_loss_min", new Description("shift", "measured centroid gap where the symmetric InfoNCE is smallest, first tau")),
            Map.entry("shift_gap_at_loss_min_low", new Description("shift", "the minimum lies between this gap (neighbouring grid point) ...")),
            Map.entry("shift_gap_at_loss_min_high", new Description("shift", "... and this one")));

    /**
     * @param name a statistic
     * @return what its subsample column is computed on: "pairs" (true pairs; the shuffle control
     *     applies), "independent" (two samples from disjoint halves of the pairs), or "whole set"
     */
    static String sample(String name) {
        Estimator.Statistic registered = Estimators.statistic(name);
        if (registered != null) {
            return registered.sample();
        }
        if (name.startsWith("loss_minus_log_B_") || name.startsWith("subsample_r") || name.equals("wang_isola_alignment")
                || name.equals("alignment_term")) {
            return "pairs";
        }
        if (name.startsWith("r1") || name.startsWith("r5") || name.startsWith("mean_rank") || name.startsWith("median_rank")
                || name.equals("pair_cosine") || name.equals("large_batch_energy") || name.equals("log_c_tau") || name.startsWith("shift_")) {
            return "whole set";
        }
        return "independent";
    }

    /**
     * @param name a statistic
     * @return its unit or scale, one short phrase
     */
    static String unit(String name) {
        Estimator.Statistic registered = Estimators.statistic(name);
        if (registered != null) {
            return registered.unit();
        }
        if (name.startsWith("loss_minus_log_B_")) {
            return "nats";
        }
        if (name.startsWith("r1_") || name.startsWith("r5_") || name.startsWith("r10_") || name.startsWith("subsample_r")) {
            return "fraction of queries";
        }
        if (name.contains("rank_")) {
            return "rank, 1 = best";
        }
        return switch (name) {
            case "centroid_gap", "centroid_norm_1", "centroid_norm_2" -> "distance, [0, 2] on the sphere";
            case "centroid_cosine", "pair_cosine" -> "cosine in [-1, 1]";
            case "angle_hist_jeffreys", "angle_hist_dsym", "knn_kl_12", "knn_kl_21", "knn_jeffreys", "knn_dsym" -> "nats; 0 = same law";
            case "entropy_1", "entropy_2" -> "nats (differential entropy)";
            case "energy_distance" -> "distance; 0 = same law";
            case "energy_cross_mean", "energy_within_1", "energy_within_2" -> "mean distance";
            case "mmd2_rbf_0.5x", "mmd2_rbf_1x", "mmd2_rbf_2x" -> "squared RKHS distance; 0 = same law";
            case "wang_isola_alignment" -> "squared distance, [0, 4]; 0 = pairs coincide";
            case "wang_isola_uniformity_1", "wang_isola_uniformity_2" -> "log of a mean kernel; lower = more uniform";
            case "alignment_term" -> "nats: -mean pair cosine / tau";
            case "energy_E", "energy_E_plus_log_c_tau" -> "nats (the theory's energy)";
            case "large_batch_energy" -> "nats (plug-in L_inf)";
            case "log_c_tau" -> "nats (log partition constant)";
            case "shift_unshifted_gap", "shift_gap_at_loss_min", "shift_gap_at_loss_min_low", "shift_gap_at_loss_min_high" -> "distance";
            default -> "-";
        };
    }

    static Description describe(String name) {
        if (name.startsWith("loss_minus_log_B_")) {
            return new Description("theory", "L_B - ln B, symmetric InfoNCE on batches of B = " + name.substring(17) + " pairs");
        }
        Description d = ALL.get(name);
        Estimator.Statistic registered = Estimators.statistic(name);
        if (d == null && registered != null) {
            return new Description(registered.group(), registered.description());
        }
        if (d == null) {
            throw new IllegalStateException("no description for statistic " + name);
        }
        return d;
    }
}
