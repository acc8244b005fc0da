package org.gaplab.datasets.paired;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * Device-resident copies of a dataset's two feature tables, made once per device, dtype and
 * <em>owner</em>, where the owner is the outermost manager above the one a caller passes in (the
 * base manager a {@code Trainer} or an evaluation opened, one level below the engine's system
 * manager).
 *
 * <p>Why the owner: {@link org.gaplab.datasets.PairedSource} has no lifecycle, and the managers
 * handed to {@code sampleTrain} are short-lived scratch scopes (one per data block). Hanging the
 * copies under the caller's base manager makes them live exactly as long as the computation that
 * uses them: every block and the final evaluation of a training run gather from the same copies,
 * and closing the trainer frees them; nothing is copied from the host per batch, and nothing
 * outlives its user. A closed owner's entry is dropped and remade on the next request.
 */
final class ResidentTables {
    private final float[] x;
    private final float[] y;
    private final int dimX;
    private final int dimY;
    private final List<Entry> entries = new ArrayList<>();

    private record Entry(NDManager owner, NDManager scope, Device device, DataType dataType, NDArray x, NDArray y) {}

    ResidentTables(float[] x, int dimX, float[] y, int dimY) {
        this.x = x;
        this.y = y;
        this.dimX = dimX;
        this.dimY = dimY;
    }

    /**
     * @param manager the caller's manager (any scope under its owner)
     * @param dataType float32 or float64
     * @return {@code [x, y]} on the manager's device; owned here, so callers must not close them
     */
    synchronized NDArray[] on(NDManager manager, DataType dataType) {
        NDManager owner = ownerOf(manager);
        Device device = manager.getDevice();
        entries.removeIf(e -> !e.owner().isOpen() || !e.scope().isOpen());
        for (Entry e : entries) {
            if (e.owner() == owner && e.device().equals(device) && e.dataType() == dataType) {
                return new NDArray[] {e.x(), e.y()};
            }
        }
        NDManager scope = owner.newSubManager(device);
        NDArray xs = toDevice(scope, x, dimX, dataType);
        NDArray ys = toDevice(scope, y, dimY, dataType);
        entries.add(new Entry(owner, scope, device, dataType, xs, ys));
        return new NDArray[] {xs, ys};
    }

    private static NDArray toDevice(NDManager scope, float[] values, int dim, DataType dataType) {
        NDArray a = scope.create(values, new Shape(values.length / dim, dim));
        if (dataType == DataType.FLOAT32) {
            return a;
        }
        NDArray converted = a.toType(dataType, false);
        a.close();
        return converted;
    }

    /** The manager one level below the root (the engine's system manager, whose parent is null). */
    static NDManager ownerOf(NDManager manager) {
        NDManager m = manager;
        while (m.getParentManager() != null && m.getParentManager().getParentManager() != null) {
            m = m.getParentManager();
        }
        return m;
    }
}
