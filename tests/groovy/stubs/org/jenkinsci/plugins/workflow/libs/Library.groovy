package org.jenkinsci.plugins.workflow.libs

import java.lang.annotation.Retention
import java.lang.annotation.RetentionPolicy

/** Stand-in for workflow-cps-global-lib's @Library, which Jenkinsfiles use to load the library. */
@Retention(RetentionPolicy.SOURCE)
@interface Library {
    String[] value()
}
