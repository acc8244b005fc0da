/**
 * The gaplab engine: trains run-stacked dual encoders with DJL's PyTorch engine on one device and
 * measures the geometry of their embeddings. One package per concept, in layers; a package uses
 * only its own layer and those below it (top first): {@code cli}; {@code experiment};
 * {@code sweep}; {@code train}; {@code checkpoint}, {@code admission}; {@code config},
 * {@code report}; {@code measure}; {@code loss}, {@code optim}, {@code device}, {@code rundir}.
 * The engine's LayeringTest checks this on every build.
 */
package org.gaplab.engine;
