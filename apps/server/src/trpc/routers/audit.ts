import { AuditListInput, listAuditEvents } from '../../services/audit.ts';
import { adminProcedure, router } from '../init.ts';

/** The Audit log page: admins only. */
export const auditRouter = router({
  list: adminProcedure.input(AuditListInput).query(({ ctx, input }) => listAuditEvents(ctx.db, input)),
});
