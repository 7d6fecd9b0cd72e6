package sitevisor.posix;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;

import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeTest {
    @Test
    void libcIsBoundWithoutGeneratingClasses() {
        // the reflective loader answers with a proxy; the ASM loader with a class it wrote
        assertTrue(Proxy.isProxyClass(Native.LIBC.getClass()), "libc is bound by " + Native.LIBC.getClass().getName());
    }

    @Test
    void theBindingsWork() {
        assertTrue(Native.pageSizeBytes() >= 4096, "page size " + Native.pageSizeBytes());
        assertTrue(Native.limitMallocArenas(), "glibc refused M_ARENA_MAX");
    }
}
