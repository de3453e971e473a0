"use server";
// Deleting an upload (admins): the events only it holds and what was derived only from them; audited.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { AuthorizationError, authorizeAction } from "@/lib/auth/server";
import { deleteUpload, UploadInProgressError } from "@/lib/pipeline/delete-upload";

export interface DeleteUploadState {
  error?: string;
}

const deleteForm = z.object({ id: z.uuid(), confirm: z.literal("on") });

export async function deleteUploadAction(_prev: DeleteUploadState, form: FormData): Promise<DeleteUploadState> {
  let deleted;
  try {
    const actor = await authorizeAction("upload:delete");
    const parsed = deleteForm.safeParse(Object.fromEntries(form));
    if (!parsed.success) return { error: "Tick the box to confirm that the upload and what only it brought are to be deleted." };
    deleted = await deleteUpload(parsed.data.id, actor);
    if (!deleted) return { error: "This upload no longer exists." };
  } catch (e) {
    if (e instanceof AuthorizationError || e instanceof UploadInProgressError) return { error: e.message };
    throw e;
  }
  revalidatePath("/", "layout");
  redirect(`/uploads?deleted=${encodeURIComponent(deleted.filename)}&events=${deleted.events}`);
}
