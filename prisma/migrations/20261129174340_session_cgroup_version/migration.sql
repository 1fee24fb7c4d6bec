-- AlterTable
ALTER TABLE "lab_sessions" ADD COLUMN     "cgroupVersion" INTEGER;
