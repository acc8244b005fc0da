package org.gaplab.engine.config;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.DatabindContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.jsontype.impl.TypeIdResolverBase;

import org.gaplab.datasets.SourceConfig;

import java.io.IOException;

/**
 * Maps {@code data.kind} to the registered config record and back through {@link SourceKinds},
 * looked up on every use, so kinds registered at any time (plugins, tests) serialise and parse.
 */
public final class SourceKindIdResolver extends TypeIdResolverBase {
    @Override
    public String idFromValue(Object value) {
        return ((SourceConfig) value).kind();
    }

    @Override
    public String idFromValueAndType(Object value, Class<?> suggestedType) {
        return idFromValue(value);
    }

    @Override
    public JavaType typeFromId(DatabindContext context, String id) throws IOException {
        SourceKinds.Entry e = SourceKinds.get(id);
        if (e == null) {
            throw com.fasterxml.jackson.databind.exc.InvalidTypeIdException.from(null,
                    "unknown source kind '" + id + "' (known: " + String.join(", ", SourceKinds.all().keySet()) + ")",
                    context.constructType(SourceConfig.class), id);
        }
        return context.constructType(e.type());
    }

    @Override
    public JsonTypeInfo.Id getMechanism() {
        return JsonTypeInfo.Id.CUSTOM;
    }
}
