package mlsecops.harness

/**
 * The YAML subset the library's resources use, for the readYaml mock (Debian's Groovy 2.4
 * ships no YAML parser): block maps and lists, flow [..] and {..}, plain, single- and
 * double-quoted scalars, booleans, null, integers and floats, comments.
 */
class MiniYaml {

    private final List<Map> lines = []
    private int pos = 0

    static Object parse(String text) {
        return new MiniYaml(text).document()
    }

    private MiniYaml(String text) {
        text.readLines().eachWithIndex { String raw, int number ->
            String line = stripComment(raw)
            if (line.trim() && !(line.trim() in ['---', '...'])) {
                if (line.contains('\t')) {
                    throw new IllegalArgumentException("line ${number + 1}: tab in indentation")
                }
                int indent = line.length() - line.replaceAll(/^ +/, '').length()
                lines << [indent: indent, text: line.trim(), number: number + 1]
            }
        }
    }

    private Object document() {
        if (!lines) {
            return null
        }
        Object value = block(lines[0].indent as int)
        if (pos < lines.size()) {
            fail("unexpected indentation")
        }
        return value
    }

    private Object block(int indent) {
        return lines[pos].text.startsWith('- ') || lines[pos].text == '-' ? list(indent) : map(indent)
    }

    private List list(int indent) {
        List result = []
        while (pos < lines.size() && lines[pos].indent == indent && (lines[pos].text.startsWith('- ') || lines[pos].text == '-')) {
            Map line = lines[pos]
            String rest = line.text == '-' ? '' : line.text.substring(2).trim()
            if (!rest) {
                pos++
                result << (pos < lines.size() && lines[pos].indent > indent ? block(lines[pos].indent as int) : null)
            } else if (keyOf(rest) != null) {
                // "- key: value": a map whose other keys are indented to the key's column
                int column = indent + (line.text.length() - line.text.substring(1).replaceAll(/^ +/, '').length())
                lines[pos] = [indent: column, text: rest, number: line.number]
                result << map(column)
            } else {
                pos++
                result << scalar(rest)
            }
        }
        return result
    }

    private Map map(int indent) {
        Map result = [:]
        while (pos < lines.size() && lines[pos].indent == indent) {
            Map line = lines[pos]
            if (line.text.startsWith('- ')) {
                fail('a list item where a key was expected')
            }
            String key = keyOf(line.text)
            if (key == null) {
                fail("expected 'key: value'")
            }
            String rest = line.text.substring(line.text.indexOf(':', rawKeyLength(line.text)) + 1).trim()
            pos++
            if (rest) {
                result[unquote(key)] = scalar(rest)
            } else if (pos < lines.size() && lines[pos].indent > indent) {
                result[unquote(key)] = block(lines[pos].indent as int)
            } else if (pos < lines.size() && lines[pos].indent == indent && lines[pos].text.startsWith('- ')) {
                result[unquote(key)] = list(indent)
            } else {
                result[unquote(key)] = null
            }
        }
        if (pos < lines.size() && lines[pos].indent > indent) {
            fail('unexpected indentation')
        }
        return result
    }

    private void fail(String message) {
        Map line = pos < lines.size() ? lines[pos] : lines[-1]
        throw new IllegalArgumentException("line ${line.number}: ${message}: ${line.text}")
    }

    /** The key of "key: value" / "key:", or null when the text is not a mapping entry. */
    private static String keyOf(String text) {
        int length = rawKeyLength(text)
        if (length < 0) {
            return null
        }
        return text.substring(0, length).trim()
    }

    private static int rawKeyLength(String text) {
        if (text.startsWith('[') || text.startsWith('{')) {
            return -1
        }
        if (text.startsWith("'") || text.startsWith('"')) {
            int close = text.indexOf(text[0], 1)
            return close > 0 && text.length() > close + 1 && text[close + 1] == ':' ? close + 1 : -1
        }
        for (int i = 0; i < text.length(); i++) {
            if (text[i] == ':' && (i + 1 == text.length() || text[i + 1] == ' ')) {
                return i
            }
        }
        return -1
    }

    private static String stripComment(String line) {
        Character quote = null
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i)
            if (quote != null) {
                if (c == quote) {
                    quote = null
                }
            } else if (c == '\'' as char || c == '"' as char) {
                quote = c
            } else if (c == '#' as char && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i).replaceAll(/\s+$/, '')
            }
        }
        return line.replaceAll(/\s+$/, '')
    }

    private static String unquote(String key) {
        Object value = new Flow(key).value()
        return String.valueOf(value)
    }

    static Object scalar(String text) {
        Flow flow = new Flow(text)
        Object value = flow.value()
        flow.end()
        return value
    }

    /** Flow-style values: [a, b], {k: v}, quoted and plain scalars. */
    private static class Flow {

        private final String s
        private int i = 0

        Flow(String s) {
            this.s = s
        }

        void end() {
            skip()
            if (i < s.length()) {
                throw new IllegalArgumentException("unexpected '${s.substring(i)}' in: ${s}")
            }
        }

        Object value(boolean inFlow = false) {
            skip()
            if (i >= s.length()) {
                return null
            }
            char c = s.charAt(i)
            if (c == '[' as char) {
                return seq()
            }
            if (c == '{' as char) {
                return mapping()
            }
            if (c == '\'' as char) {
                return single()
            }
            if (c == '"' as char) {
                return dbl()
            }
            return plain(inFlow)
        }

        private void skip() {
            while (i < s.length() && s.charAt(i) == ' ' as char) {
                i++
            }
        }

        private List seq() {
            List result = []
            i++
            skip()
            if (s.charAt(i) == ']' as char) {
                i++
                return result
            }
            while (true) {
                result << value(true)
                skip()
                char c = s.charAt(i++)
                if (c == ']' as char) {
                    return result
                }
                if (c != ',' as char) {
                    throw new IllegalArgumentException("expected ',' or ']' in: ${s}")
                }
            }
        }

        private Map mapping() {
            Map result = [:]
            i++
            skip()
            if (s.charAt(i) == '}' as char) {
                i++
                return result
            }
            while (true) {
                Object key = value(true)
                skip()
                if (s.charAt(i++) != ':' as char) {
                    throw new IllegalArgumentException("expected ':' in: ${s}")
                }
                result[String.valueOf(key)] = value(true)
                skip()
                char c = s.charAt(i++)
                if (c == '}' as char) {
                    return result
                }
                if (c != ',' as char) {
                    throw new IllegalArgumentException("expected ',' or '}' in: ${s}")
                }
            }
        }

        private String single() {
            StringBuilder out = new StringBuilder()
            i++
            while (true) {
                char c = s.charAt(i++)
                if (c == '\'' as char) {
                    if (i < s.length() && s.charAt(i) == '\'' as char) {
                        out.append('\'')
                        i++
                    } else {
                        return out.toString()
                    }
                } else {
                    out.append(c)
                }
            }
        }

        private String dbl() {
            StringBuilder out = new StringBuilder()
            i++
            while (true) {
                char c = s.charAt(i++)
                if (c == '"' as char) {
                    return out.toString()
                }
                if (c == '\\' as char) {
                    char e = s.charAt(i++)
                    out.append(['n': '\n', 't': '\t', '"': '"', '\\': '\\'][String.valueOf(e)] ?: String.valueOf(e))
                } else {
                    out.append(c)
                }
            }
        }

        private Object plain(boolean inFlow) {
            int start = i
            while (i < s.length()) {
                char c = s.charAt(i)
                if (inFlow && (c == ',' as char || c == ']' as char || c == '}' as char)) {
                    break
                }
                if (c == ':' as char && (i + 1 == s.length() || s.charAt(i + 1) == ' ' as char) && inFlow) {
                    break
                }
                i++
            }
            String text = s.substring(start, i).trim()
            switch (text) {
                case ['true', 'True', 'TRUE']: return true
                case ['false', 'False', 'FALSE']: return false
                case ['null', 'Null', 'NULL', '~', '']: return null
            }
            if (text ==~ /[-+]?[0-9]+/) {
                return text.toLong() <= Integer.MAX_VALUE && text.toLong() >= Integer.MIN_VALUE ? text.toInteger() : text.toLong()
            }
            if (text ==~ /[-+]?([0-9]*\.[0-9]+|[0-9]+\.[0-9]*)([eE][-+]?[0-9]+)?/) {
                return text.toBigDecimal()
            }
            return text
        }

    }

}
