package org.gaplab.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named, run-stacked parameters of a model, in a fixed order. Each array's first axis is the
 * run index. Arrays are attached to the manager given at creation; the owner closes it.
 */
public final class Parameters {
    /**
     * Sets a gradient that autograd accumulated into back to zero, in place (libtorch adds each
     * backward pass into {@code .grad}, so it is reset after every read). A fill, not {@code g - g}:
     * an infinite entry would turn into NaN and stay.
     *
     * @param grad a parameter's {@code .grad}
     */
    public static void resetGradient(NDArray grad) {
        grad.set(new ai.djl.ndarray.index.NDIndex("..."), 0);
    }

    private final Map<String, NDArray> arrays = new LinkedHashMap<>();
    private final Map<String, ParamSpec> specs = new LinkedHashMap<>();

    /** Adds a parameter; the array must be {@code [K, spec.shape]} and is named after the spec. */
    public void put(ParamSpec spec, NDArray array) {
        if (arrays.containsKey(spec.name())) {
            throw new IllegalArgumentException("duplicate parameter " + spec.name());
        }
        array.setName(spec.name());
        arrays.put(spec.name(), array);
        specs.put(spec.name(), spec);
    }

    /** @return the array of the named parameter */
    public NDArray get(String name) {
        NDArray a = arrays.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no parameter named " + name + "; have " + arrays.keySet());
        }
        return a;
    }

    /**
     * @param spec a parameter's spec, as declared by its tower or model
     * @return the parameter's array
     */
    public NDArray get(ParamSpec spec) {
        if (!spec.equals(specs.get(spec.name()))) {
            throw new IllegalArgumentException("no parameter " + spec + "; have " + specs.values());
        }
        return arrays.get(spec.name());
    }

    /** @return the spec of the named parameter */
    public ParamSpec spec(String name) {
        return specs.get(name);
    }

    /** @return parameter names in order */
    public List<String> names() {
        return List.copyOf(arrays.keySet());
    }

    /** @return the specs in order */
    public List<ParamSpec> specs() {
        return Collections.unmodifiableList(new ArrayList<>(specs.values()));
    }

    /** @return the arrays in order, as a list view (the arrays are shared, not copied) */
    public NDList asList() {
        return new NDList(arrays.values());
    }

    /** @return the number of stacked runs K */
    public int runs() {
        return (int) arrays.values().iterator().next().getShape().get(0);
    }

    /** Marks the named parameters as requiring a gradient (the others take closed-form gradients). */
    public void requireGradients(java.util.Collection<String> names) {
        names.forEach(n -> get(n).setRequiresGradient(true));
    }

    /** Marks every parameter as requiring a gradient. */
    public void requireGradients() {
        arrays.values().forEach(a -> a.setRequiresGradient(true));
    }

    /** Temporarily attaches all arrays to {@code scope}; they return to their manager when it closes. */
    public void tempAttach(NDManager scope) {
        scope.tempAttachAll(asList());
    }

    /**
     * Replaces every array's values with those of {@code source} (same names and shapes), in place,
     * so gradients stay attached. Used when loading a checkpoint.
     */
    public void copyFrom(NDList source) {
        for (NDArray s : source) {
            NDArray target = get(s.getName());
            if (!target.getShape().equals(s.getShape())) {
                throw new IllegalArgumentException("parameter " + s.getName() + " has shape " + s.getShape()
                        + " in the source but " + target.getShape() + " in the model");
            }
            target.set(s.toType(target.getDataType(), false).toByteBuffer());
        }
        for (String name : names()) {
            if (source.get(name) == null) {
                throw new IllegalArgumentException("source lacks parameter " + name);
            }
        }
    }
}
