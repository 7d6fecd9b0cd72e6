package sitevisor.mbeans;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SiteNamesTest {
    @Test
    void namesThatCanBeFileAndJmxNamesAreValidAndNoOthers() {
        for (String name : List.of("blog", "0", "shop-2", "a.b_c")) assertTrue(SiteNames.isValid(name), name);
        for (String name : List.of("", "Blog", "-blog", ".blog", "a b", "a/b", "a,b", "a=b", "a:b", "a*")) assertFalse(SiteNames.isValid(name), name);
        assertFalse(SiteNames.isValid(null));
    }

    @Test
    void anUnknownNameIsToldWithTheKnownOnesInTheirOrder() {
        assertEquals("no site named 'blgo' (known: shop, blog)", SiteNames.unknown("blgo", List.of("shop", "blog")));
        assertEquals("no site named 'blog' (known: none)", SiteNames.unknown("blog", List.of()));
    }
}
