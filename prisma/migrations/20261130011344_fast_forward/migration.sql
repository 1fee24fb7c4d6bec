-- AlterTable
ALTER TABLE "task_results" ADD COLUMN     "assisted" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "cohorts" ADD COLUMN     "allowFastForward" BOOLEAN NOT NULL DEFAULT true;
