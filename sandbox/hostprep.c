/* See hostprep.h. */
#include "hostprep.h"

#include "execdirs.h"

/* "4242" into buf (12 bytes: any 32-bit id) */
static void utoa12(unsigned long v, char buf[12])
{
	char tmp[12];
	size_t n = 0, at = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < sizeof tmp - 1);
	while (n)
		buf[at++] = tmp[--n];
	buf[at] = '\0';
}

int sbx_host_prepare(const struct spec *s, const struct sbx_ids *ids,
		     const struct rootfs_plan *p, struct step_fail *f)
{
	/* A mount namespace but no plan: a command that joins the running
	 * service's (ExecStartPost=, ExecReload=, ExecStop=, launch.h). Its
	 * folders are there and bound already; our host paths would be
	 * resolved in the service's tree. */
	if ((s->namespaces & NS_BIT(NS_MOUNT)) && !p)
		return 0;
	for (size_t i = 0; p && i < p->n_ops; i++) {
		struct rootfs_op *op = &p->ops[i];

		for (int k = 0; k < 2; k++) {
			unsigned long v;

			if (!op->id_name[k])
				continue;
			if (sbx_tmpfs_id(s->root, k == 1, op->id_name[k], op->dest, &v, f) < 0)
				return -1;
			utoa12(v, op->id_val[k]);
		}
	}
	return sbx_execdirs_create(s, ids, p, f);
}
