package io.tributary.sinks;

/** Why a value cannot be stored: the field it is in, and a sentence an operator understands. */
public record Violation(String field, String message) {}
