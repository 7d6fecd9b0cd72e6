package sitevisor.mbeans;

import javax.management.DescriptorKey;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The unit of an attribute whose name, fixed by the contract, does not say it: the standard
 * {@code units} field of its JMX descriptor, which JConsole shows in the attribute's MBeanInfo
 * and any JMX client can read.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Units {
    @DescriptorKey("units")
    String value();
}
