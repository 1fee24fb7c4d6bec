-- AlterTable
ALTER TABLE "cohorts" ADD COLUMN     "includeWorkBeforeJoining" BOOLEAN NOT NULL DEFAULT true;
