/* tests/unit/unit.h — the suites of the unit-test runner. Each test runs in
 * its own forked child (Check's default), which initialises V8 itself: V8's
 * platform threads do not survive fork, so the parent never touches V8. */
#ifndef SE_TESTS_UNIT_H
#define SE_TESTS_UNIT_H

#include <check.h>

Suite *vm_suite(void);
Suite *runtime_suite(void);
Suite *cli_suite(void);
Suite *broker_suite(void);
Suite *path_suite(void);
Suite *seccomp_suite(void);
Suite *harden_suite(void);
Suite *overlay_suite(void);
Suite *quota_suite(void);
Suite *report_suite(void);
Suite *parity_suite(void);
Suite *http_suite(void);
Suite *netrules_suite(void);
Suite *netd_udp_suite(void);
Suite *netd_suite(void);
Suite *netd_dns_suite(void);
Suite *serve_suite(void);
Suite *audit_suite(void);

/* Checked fixture: V8 platform for the test's child process. */
void unit_v8_setup(void);

#endif
