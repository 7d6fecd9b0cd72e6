package sitevisor.mbeans;

import java.util.Collection;
import java.util.regex.Pattern;

/**
 * What a site or a task may be named, and what an operator is told of a site name the daemon does
 * not know: the same rule and the same words from the config, every door and the client.
 */
public final class SiteNames {
    /** Names become file names and JMX names: lower case, digits, '.', '_' and '-', not first. */
    public static final String RULE = "[a-z0-9][a-z0-9._-]*";
    private static final Pattern NAME = Pattern.compile(RULE);

    private SiteNames() {}

    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** {@code no site named 'blgo' (known: blog, shop)}, the known names in the order given. */
    public static String unknown(String name, Collection<String> known) {
        return "no site named '" + name + "' (known: " + (known.isEmpty() ? "none" : String.join(", ", known)) + ")";
    }
}
