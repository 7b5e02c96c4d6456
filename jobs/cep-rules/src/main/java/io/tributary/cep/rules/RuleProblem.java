package io.tributary.cep.rules;

/**
 * One thing wrong with a rule file, where an editor can jump to it. Lines and columns start at 1.
 */
public record RuleProblem(String file, int line, int column, String message)
        implements Comparable<RuleProblem> {
    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + message;
    }

    @Override
    public int compareTo(RuleProblem other) {
        int byFile = file.compareTo(other.file);
        if (byFile != 0) {
            return byFile;
        }
        return line != other.line
                ? Integer.compare(line, other.line)
                : Integer.compare(column, other.column);
    }
}
