package io.tributary.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * The subset of kustomize that k8s/flink-operator/ uses, so the tests can render each overlay
 * without the kustomize binary: {@code resources} (files and directories), {@code components},
 * {@code patches} (strategic-merge patches by target kind and name: maps merge key by key, the
 * pod's lists of containers, volumes, env and volume mounts merge by their merge keys as Kubernetes
 * declares them, other lists are replaced), {@code images} and {@code namespace}, applied in
 * kustomize's order. Anything else in a kustomization fails the render, so the subset cannot
 * silently drift from what the files use.
 */
final class Kustomize {
    private static final List<String> SUPPORTED =
            List.of(
                    "apiVersion",
                    "kind",
                    "resources",
                    "components",
                    "patches",
                    "images",
                    "namespace");

    private Kustomize() {}

    /** The resources {@code directory}'s kustomization renders to. */
    static List<Map<String, Object>> render(Path directory) {
        Map<String, Object> kustomization = load(directory.resolve("kustomization.yaml")).get(0);
        for (String key : kustomization.keySet()) {
            if (!SUPPORTED.contains(key)) {
                throw new IllegalArgumentException(
                        directory
                                + "/kustomization.yaml uses '"
                                + key
                                + "', which this renderer does not support");
            }
        }
        List<Map<String, Object>> resources = new ArrayList<>();
        for (String resource : strings(kustomization.get("resources"))) {
            Path path = directory.resolve(resource).normalize();
            resources.addAll(Files.isDirectory(path) ? render(path) : load(path));
        }
        for (String component : strings(kustomization.get("components"))) {
            Path path = directory.resolve(component).normalize();
            Map<String, Object> componentKustomization =
                    load(path.resolve("kustomization.yaml")).get(0);
            if (!"Component".equals(componentKustomization.get("kind"))) {
                throw new IllegalArgumentException(path + " is not a kustomize Component");
            }
            applyPatches(path, componentKustomization, resources);
        }
        applyPatches(directory, kustomization, resources);
        for (Map<String, Object> image : maps(kustomization.get("images"))) {
            for (Map<String, Object> resource : resources) {
                Map<String, Object> spec = child(resource, "spec");
                Object current = spec.get("image");
                if (current instanceof String name && name.startsWith(image.get("name") + ":")) {
                    spec.put("image", image.get("name") + ":" + image.get("newTag"));
                }
            }
        }
        if (kustomization.get("namespace") != null) {
            resources.forEach(
                    resource ->
                            child(resource, "metadata")
                                    .put("namespace", kustomization.get("namespace")));
        }
        return resources;
    }

    private static void applyPatches(
            Path directory,
            Map<String, Object> kustomization,
            List<Map<String, Object>> resources) {
        for (Map<String, Object> patch : maps(kustomization.get("patches"))) {
            Map<String, Object> body = load(directory.resolve((String) patch.get("path"))).get(0);
            @SuppressWarnings("unchecked")
            Map<String, Object> target = (Map<String, Object>) patch.get("target");
            int matched = 0;
            for (Map<String, Object> resource : resources) {
                boolean kind = target.get("kind").equals(resource.get("kind"));
                boolean name =
                        target.get("name") == null
                                || target.get("name")
                                        .equals(child(resource, "metadata").get("name"));
                if (kind && name) {
                    Map<String, Object> withoutName = new LinkedHashMap<>(body);
                    withoutName.remove("metadata");
                    merge(resource, withoutName);
                    matched++;
                }
            }
            if (matched == 0) {
                throw new IllegalArgumentException(
                        directory + ": patch " + patch.get("path") + " matches no resource");
            }
        }
    }

    /** The patch merge keys of the pod lists the resources patch (from the Kubernetes API). */
    private static final Map<String, String> MERGE_KEYS =
            Map.of(
                    "containers", "name",
                    "initContainers", "name",
                    "volumes", "name",
                    "env", "name",
                    "volumeMounts", "mountPath");

    /**
     * Strategic merge: maps merge key by key; lists with a merge key merge element by element (an
     * element whose key is new is appended); anything else is replaced.
     */
    @SuppressWarnings("unchecked")
    static void merge(Map<String, Object> into, Map<String, Object> patch) {
        patch.forEach(
                (key, value) -> {
                    if (value instanceof Map<?, ?> patchMap
                            && into.get(key) instanceof Map<?, ?> existing) {
                        merge((Map<String, Object>) existing, (Map<String, Object>) patchMap);
                    } else if (MERGE_KEYS.containsKey(key)
                            && value instanceof List<?> patchList
                            && into.get(key) instanceof List<?> existing) {
                        mergeByKey(
                                (List<Map<String, Object>>) existing,
                                (List<Map<String, Object>>) patchList,
                                MERGE_KEYS.get(key));
                    } else {
                        into.put(key, copy(value));
                    }
                });
    }

    @SuppressWarnings("unchecked")
    private static void mergeByKey(
            List<Map<String, Object>> into, List<Map<String, Object>> patch, String mergeKey) {
        for (Map<String, Object> element : patch) {
            Map<String, Object> match =
                    into.stream()
                            .filter(e -> e.get(mergeKey).equals(element.get(mergeKey)))
                            .findFirst()
                            .orElse(null);
            if (match == null) {
                into.add((Map<String, Object>) copy(element));
            } else {
                merge(match, element);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Object copy(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put((String) k, copy(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            return new ArrayList<>(list.stream().map(Kustomize::copy).toList());
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> child(Map<String, Object> resource, String key) {
        return (Map<String, Object>) resource.computeIfAbsent(key, k -> new LinkedHashMap<>());
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> load(Path file) {
        List<Map<String, Object>> documents = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file)) {
            for (Object document : new Yaml().loadAll(reader)) {
                if (document != null) {
                    documents.add((Map<String, Object>) copy(document));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return documents;
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object value) {
        return value == null ? List.of() : (List<String>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Object value) {
        return value == null ? List.of() : (List<Map<String, Object>>) value;
    }
}
