"use server";
// Deleting an upload (admins): the events only it holds and what was derived only from them; audited by
// lib/pipeline in the transaction that deletes, and refused while the upload is in progress.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { deleteUpload } from "@/lib/pipeline/delete-upload";
import { uploadsUrl } from "@/lib/links/urls";

const GONE = "This upload no longer exists.";

export const deleteUploadAction = defineAction({
  permission: "upload:delete",
  input: z.object({
    id: z.uuid({ error: GONE }),
    confirm: z.literal("on", { error: "Tick the box to confirm that the upload and what only it brought are to be deleted." }),
  }),
  audit: "lib",
  run: async ({ id }, { actor }) => {
    const deleted = await deleteUpload(id, actor);
    if (!deleted) throw new UserFacingError(GONE);
    revalidatePath("/", "layout");
    redirect(uploadsUrl({ deleted: deleted.filename, events: deleted.events }));
  },
});
