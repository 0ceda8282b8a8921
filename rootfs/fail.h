/* A failure inside the launch child, where nothing may allocate or format:
 * the step (a string literal such as "pivot_root into"), the path it
 * concerned and the errno. The launcher copies it into the fixed record it
 * sends to the parent, which prints "UNIT: STEP PATH: strerror". */
#ifndef SBX_ROOTFS_FAIL_H
#define SBX_ROOTFS_FAIL_H

struct step_fail {
	const char *step;
	const char *path;   /* NULL when there is none */
	int errnum;
};

static inline int step_failed(struct step_fail *f, const char *step, const char *path,
			      int errnum)
{
	f->step = step;
	f->path = path;
	f->errnum = errnum;
	return -1;
}

#endif
