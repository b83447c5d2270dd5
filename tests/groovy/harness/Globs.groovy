package mlsecops.harness

/** Ant-style globs as stash's includes/excludes take them: comma-separated, `**` across folders. */
class Globs {

    static boolean matches(String patterns, String path) {
        return patterns.split(',')*.trim().findAll { it }.any { path ==~ regex(it) }
    }

    static String regex(String glob) {
        StringBuilder out = new StringBuilder()
        int i = 0
        while (i < glob.length()) {
            char c = glob.charAt(i)
            if (glob.startsWith('**/', i)) {
                out << '(?:.*/)?'
                i += 3
            } else if (glob.startsWith('**', i)) {
                out << '.*'
                i += 2
            } else {
                out << (c == '*' as char ? '[^/]*' : c == '?' as char ? '[^/]' : java.util.regex.Pattern.quote(c.toString()))
                i++
            }
        }
        return out.toString()
    }

}
